"""Cloud Logging entries and everything that reads them: the parser, the filter, the sources
(local files, gcp list, gcp tail), exported files (`logs search`, `logs open`), the bounded
buffer and the sequential Level trace. No Textual here."""
