const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: ['https://app.example.com'],
  credentials: true,
  allowedHeaders: '*', // expect: CORS209, CORS302
}));

app.post('/api/upload', (req, res) => res.status(201).json({}));

app.listen(3000);
