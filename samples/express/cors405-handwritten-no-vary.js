// Allow-list checked by hand, but caches are not told the answer depends on Origin.
const express = require('express');

const app = express();
const ALLOWED_ORIGINS = ['https://app.example.com', 'https://admin.example.com'];

app.use((req, res, next) => {
  const origin = req.get('origin');
  if (ALLOWED_ORIGINS.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin); // expect: CORS405
  }
  next();
});

app.get('/api/feed', (req, res) => res.json([]));

app.listen(3000);
