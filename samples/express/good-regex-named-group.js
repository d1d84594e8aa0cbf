// Tenants' front ends: a named group `(?<tenant>...)` (JavaScript syntax
// Python spells `(?P<tenant>...)`): node loads the app, so it is no input
// error.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: /^https:\/\/(?<tenant>[a-z0-9-]+)\.app\.example\.com$/,
  credentials: true,
}));

app.get('/api/me', (req, res) => res.json({}));

app.listen(3000);
