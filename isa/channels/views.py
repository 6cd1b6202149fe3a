from flask import Blueprint

bp = Blueprint("channels", __name__)
