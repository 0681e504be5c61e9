"""A bare Flask app, served by gunicorn beside the platform as the benchmark's baseline."""

from flask import Flask, Response

app = Flask("hello")


@app.post("/hello")
def hello() -> Response:
    return Response("CON hello", mimetype="text/plain")
