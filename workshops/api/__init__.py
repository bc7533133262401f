"""The REST API (Django REST framework): serializers and views; URLs in workshops/urls/api.py."""
