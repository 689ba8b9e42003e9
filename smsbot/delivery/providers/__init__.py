"""SMS providers behind one small interface, so another gateway can be added beside Twilio."""
