"""Item pipelines, one concern per module, in DESIGN §1 order (see settings.ITEM_PIPELINES)."""
