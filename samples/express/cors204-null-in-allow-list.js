// 'null' was added so the Electron build could call the API.
const express = require('express');
const cors = require('cors');

const app = express();

const allowedOrigins = [
  'https://app.example.com',
  'null', // expect: CORS204
];

app.use(cors({ origin: allowedOrigins }));
app.get('/api/reports', (req, res) => res.json([]));

app.listen(3000);
