// Metrics API, meant for webvisor.com: `.+` inside the host label also lets
// in https://webvevil-isor.com, another registrable domain.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: /^https:\/\/webv.+isor\.com$/, // expect: CORS205
  credentials: true,
}));

app.get('/api/metrics', (req, res) => res.json([]));

app.listen(3000);
