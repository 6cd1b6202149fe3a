from flask import Blueprint

bp = Blueprint("flows", __name__)
