from smsbot.app import create_app

app = create_app()
