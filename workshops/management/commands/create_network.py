"""Bootstrap a network and its first administrator (who may organise workshops).

manage.py create_network WANEP --name "West Africa Network for Peacebuilding" --admin amina
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from workshops.models import Network
from workshops.services.networks import create_network


class Command(BaseCommand):
    help = "Create a network with its first administrator (an existing account)."

    def add_arguments(self, parser):
        parser.add_argument("acronym")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin", required=True, help="username of an existing account")
        parser.add_argument("--slug", default="")

    def handle(self, *args, acronym, name, admin, slug, **options):
        user = get_user_model().objects.filter(username=admin, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {admin!r}.")
        slug = slug or slugify(acronym)
        if Network.objects.filter(slug=slug).exists():
            raise CommandError(f"A network with slug {slug!r} exists already.")
        network = create_network(name=name, acronym=acronym, slug=slug, administrator=user)
        self.stdout.write(f"Network {network} created: /n/{network.slug}/ (administrator: {admin})")
