# METADATA
# title: Tests of lib.models
# description: Models by stage and their labels.
package lib.models_test

import rego.v1

import data.lib.models

model(id, stage) := {"id": id, "name": "Credit risk", "version": "2.1", "stage": stage}

test_in_stages_keeps_order_and_filters if {
	ms := models.in_stages([model("a", "production"), model("b", "staging"), model("c", "retired")], ["production", "staging"])
	[m.id | some m in ms] == ["a", "b"]
	models.in_stages([model("a", "production")], []) == []
}

test_label if models.label(model("mdl-1", "production")) == "Credit risk 2.1 (mdl-1)"
