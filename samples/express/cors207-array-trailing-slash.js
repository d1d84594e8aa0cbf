// Catalog API for two front ends. One origin in the allow-list keeps the
// trailing slash it was pasted with: the cors package compares it with the
// request's Origin, which never ends in a slash, so the admin app is refused.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: [
    'https://catalog.example.com',
    'https://admin.example.com/', // expect: CORS207
  ],
}));

app.get('/api/products', (req, res) => res.json([]));

app.listen(3000);
