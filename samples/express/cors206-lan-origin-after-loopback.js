const express = require('express');
const cors = require('cors');

const app = express();

// http://localhost:3000 is loopback (potentially trustworthy); the LAN origin is not
const origins = [
  'http://localhost:3000',
  'https://app.example.com',
  'http://192.168.1.106:3000', // expect: CORS206
];

app.use(cors({ origin: origins, credentials: true }));
app.get('/api/cart', (req, res) => res.json([]));

app.listen(3000);
