ROUTES = {
    "main.index": {
        "url": "/",
        "anonymous": 200,
        "resident": 200,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
    },
    "main.healthz": {
        "url": "/healthz",
        "anonymous": 200,
        "resident": 200,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
    },
    "main.set_language": {
        "url": "/language",
        "method": "POST",
        "anonymous": 302,
        "resident": 302,
        "officer": 302,
        "officer_other_area": 302,
        "admin": 302,
    },
}
