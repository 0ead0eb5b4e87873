"""The QR posters of the petitions' entry points on paper (issue 21), A4 or A3: the studio
door (扫码反映诉求) and each session's opinion form. The layout is the activities'
(activities/paper.py `poster_context`, templates/documents/qr-poster.html)."""

from django.utils.translation import gettext_lazy

from activities.paper import sample_poster
from chamber import documents

STUDIO = "studio-poster"
SESSION = "session-poster"

documents.register(
    documents.Kind(STUDIO, gettext_lazy("studio door poster"), sample_poster)
)
documents.register(
    documents.Kind(SESSION, gettext_lazy("opinion form poster"), sample_poster)
)
