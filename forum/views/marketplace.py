from flask import Blueprint

bp = Blueprint("marketplace", __name__)
