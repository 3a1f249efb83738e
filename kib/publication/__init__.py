"""Publication: the yearly PDF (built with WeasyPrint), draft previews and the stored public download."""
