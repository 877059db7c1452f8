# METADATA
# title: Models
# description: >-
#   The model-registry helpers the AI controls share: the models in the stages a
#   control covers and how a model is named in messages. Library rules never read
#   input: the control passes in the models.
package lib.models

import rego.v1

# METADATA
# title: in_stages
# description: The models (an array) whose stage is one of stages.
in_stages(models, stages) := [m | some m in models; m.stage in wanted] if {
	wanted := {s | some s in stages}
}

# METADATA
# title: label
# description: A model as messages name it, "<name> <version> (<id>)".
label(m) := sprintf("%s %s (%s)", [m.name, m.version, m.id])
