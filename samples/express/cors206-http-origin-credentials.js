const express = require('express');
const cors = require('cors');

const app = express();

const whitelist = [
  'https://app.example.com',
  'http://app.example.com', // expect: CORS206
];

app.use(cors({ origin: whitelist, credentials: true }));
app.get('/api/cart', (req, res) => res.json([]));

app.listen(3000);
