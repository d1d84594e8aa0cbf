"""Apache httpd configuration (httpd.conf, vhosts, .htaccess) lowered into the server model."""
