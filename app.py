"""Start the bodycoach web app: ``streamlit run app.py`` (or ``bodycoach live``)."""

from bodycoach.apps.ui.main import main

main()
