// Behind a load balancer: every plain-HTTP request is redirected, preflights included.
const express = require('express');
const cors = require('cors');

const app = express();

app.use((req, res, next) => {
  if (req.headers['x-forwarded-proto'] !== 'https') {
    return res.redirect(301, 'https://' + req.headers.host + req.originalUrl); // expect: CORS103
  }
  next();
});
app.use(cors({ origin: 'https://app.example.com', allowedHeaders: ['Content-Type'] }));

app.patch('/api/settings', (req, res) => res.sendStatus(204));

app.listen(3000);
