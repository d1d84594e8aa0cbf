const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: 'https://app.example.com',
  allowedHeaders: ['Content-Type'],
  maxAge: 86400, // expect: CORS303
}));

app.put('/api/documents/:id', (req, res) => res.sendStatus(204));

app.listen(3000);
