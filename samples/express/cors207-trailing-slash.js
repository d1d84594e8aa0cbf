const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: 'https://app.example.com/', // expect: CORS207
}));

app.get('/api/products', (req, res) => res.json([]));

app.listen(3000);
