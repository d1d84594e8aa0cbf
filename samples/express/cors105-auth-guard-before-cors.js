// Writes need a token, and the guard runs before cors: preflights get 401.
const express = require('express');
const cors = require('cors');

const app = express();

function requireTokenForWrites(req, res, next) {
  if (req.method !== 'GET' && !req.headers.authorization) {
    return res.sendStatus(401); // expect: CORS105
  }
  next();
}

app.use('/api', requireTokenForWrites);
app.use(cors({ origin: 'https://app.example.com', allowedHeaders: ['Content-Type', 'Authorization'] })); // expect: CORS501

app.get('/api/posts', (req, res) => res.json([]));
app.put('/api/posts/:id', (req, res) => res.sendStatus(204));

app.listen(3000);
