"""/robots.txt is datasette-block-robots', with the policy the build carries in the release's metadata
(scripts/build/publish/metadata.py); this adds the line that names the sitemap, whose address depends on the request."""

from datasette import hookimpl


@hookimpl
def block_robots_extra_lines(datasette, request):
    return ["", f"Sitemap: {datasette.absolute_url(request, '/sitemap.xml')}"]
