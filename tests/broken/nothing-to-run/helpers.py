"""Helpers for a service someone else starts: nothing here runs anything."""


def fetch(url: str) -> str:
    import requests

    return requests.get(url, timeout=5).text
