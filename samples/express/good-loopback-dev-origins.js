const express = require('express');
const cors = require('cors');

const app = express();

// loopback origins are potentially trustworthy (W3C Secure Contexts 3.1): no network attacker can act as them
const origins = [
  'https://app.example.com',
  'http://localhost:3000',
  'http://127.0.0.1:5173',
  'http://app.localhost:8080',
];

app.use(cors({ origin: origins, credentials: true }));
app.get('/api/cart', (req, res) => res.json([]));

app.listen(3000);
