AF: dict[str, str] = {}
