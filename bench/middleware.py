from contextlib import ExitStack

from django.db import connections


class QueryCountMiddleware:
    """Counts the SQL statements a request runs (every database alias) and returns them in X-Query-Count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for conn in connections.all(initialized_only=False):
                stack.enter_context(conn.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
