"""A blog whose posts table is made by an init command nobody ran."""

import sqlite3

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    db = sqlite3.connect("/tmp/blog.sqlite3")
    rows = db.execute("SELECT title FROM post").fetchall()
    return ", ".join(row[0] for row in rows)
