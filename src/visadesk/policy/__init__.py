"""Rule sets: the law's categories and rules as data (YAML), their expressions and checklists."""
