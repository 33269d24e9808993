# Read by the `flask` command (python-dotenv): `flask db upgrade`, `flask run`… find the app.
FLASK_APP=forum
