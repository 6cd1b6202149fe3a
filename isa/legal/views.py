from flask import Blueprint

bp = Blueprint("legal", __name__)
