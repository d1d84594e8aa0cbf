// A read-only API: cors allows GET only, and the clients send a custom
// X-Requested-With header. No request carries a body, so Content-Type need
// not be allowed.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: 'https://app.example.com',
  methods: ['GET'],
  allowedHeaders: ['X-Requested-With'],
}));

app.get('/api/catalogue', (req, res) => res.json([]));

app.listen(3000);
