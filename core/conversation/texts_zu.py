ZU: dict[str, str] = {}
