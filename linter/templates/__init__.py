"""Templates of configuration (Jinja2, ERB, Go text/template and Helm,
Terraform `templatefile`, envsubst), rendered to variants with their
expressions unknown and linted as the file they render to.  Imported only
when a file is a template (`files.template_candidate`, or a file that does
not parse and holds template markup): a plain lint never pays for it."""
