// Hand-written CORS middleware with a capitalised credentials flag.
const express = require('express');

const app = express();

app.use((req, res, next) => {
  res.header('Access-Control-Allow-Origin', 'https://app.example.com');
  res.header('Access-Control-Allow-Credentials', 'True'); // expect: CORS208
  res.header('Vary', 'Origin');
  next();
});

app.get('/api/orders', (req, res) => res.json([]));

app.listen(3000);
