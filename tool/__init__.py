"""The template repository's tool folder; a package only so that its tests get unique module names
(tool.tests.*) beside the template's own tests/."""
