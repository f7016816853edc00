import os

from django.core.wsgi import get_wsgi_application

from sanqu.lib import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanqu.settings")
application = get_wsgi_application()
heap.settle()
