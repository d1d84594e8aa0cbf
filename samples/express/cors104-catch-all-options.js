// A catch-all OPTIONS handler answers preflights before the per-route cors() can.
const express = require('express');
const cors = require('cors');

const app = express();
const corsOptions = { origin: 'https://app.example.com', allowedHeaders: ['Content-Type'] };

app.options('/{*splat}', (req, res) => {
  res.sendStatus(204); // expect: CORS104
});

app.get('/api/notes', cors(corsOptions), (req, res) => res.json([]));
app.put('/api/notes/:id', cors(corsOptions), (req, res) => res.sendStatus(204));

app.listen(3000);
