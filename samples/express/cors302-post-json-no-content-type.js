// Reads and posts JSON (GET and POST only): the JSON POST preflights
// (POST, content-type), and cors allows X-Requested-With only.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: 'https://app.example.com',
  methods: ['GET', 'POST'],
  allowedHeaders: ['X-Requested-With'], // expect: CORS302
}));

app.get('/api/feedback', (req, res) => res.json([]));
app.post('/api/feedback', express.json(), (req, res) => res.json({ saved: true }));

app.listen(3000);
