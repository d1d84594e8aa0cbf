// Hand-written CORS: allow-list, Vary, and a real preflight answer.
const express = require('express');

const app = express();
const ALLOWED = new Set(['https://app.example.com']);
const ORIGINS = ['https://app.example.com'];

app.use((req, res, next) => {
  const origin = req.header('Origin');
  if (ORIGINS.includes(origin)) {
    res.header('Access-Control-Allow-Origin', origin);
    res.header('Access-Control-Allow-Credentials', 'true');
  }
  res.vary('Origin');
  if (req.method === 'OPTIONS') {
    res.header('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
    res.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    res.header('Access-Control-Max-Age', '600');
    return res.sendStatus(204);
  }
  next();
});

app.get('/api/todos', (req, res) => res.json([]));
app.put('/api/todos/:id', (req, res) => res.sendStatus(204));

app.listen(3000);
