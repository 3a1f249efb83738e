"""Reading a download in a test, whether the view streams it (a stored file, a CSV) or not."""


def body(response):
    """The bytes of ``response``: joined from its stream when it streams, else its content."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
