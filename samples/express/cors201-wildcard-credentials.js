const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: '*', // expect: CORS201
  credentials: true,
}));

app.get('/api/session', (req, res) => res.json({ user: null }));

app.listen(3000);
