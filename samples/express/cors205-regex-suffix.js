// Meant: any subdomain of example.com.  Also lets in https://evilexample.com.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: /example\.com$/, // expect: CORS205, CORS206
  credentials: true,
}));

app.get('/api/me', (req, res) => res.json({}));

app.listen(3000);
