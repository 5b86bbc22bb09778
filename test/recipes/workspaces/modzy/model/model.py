"""The 'model': statistics of whitespace-separated numbers."""


class InvalidInput(ValueError):
    pass


def predict(text):
    tokens = text.split()
    if not tokens:
        raise InvalidInput("input.txt is empty: expected whitespace-separated numbers")
    values = []
    for t in tokens:
        try:
            values.append(float(t))
        except ValueError:
            raise InvalidInput(f"input.txt holds {t!r}, which is not a number") from None
    return {"count": len(values), "sum": sum(values), "mean": sum(values) / len(values)}
