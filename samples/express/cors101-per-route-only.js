// Profile API: cors() is attached to each route, but nothing answers OPTIONS.
const express = require('express');
const cors = require('cors');

const app = express();
const corsOptions = { origin: 'https://app.example.com', credentials: true };

app.use(express.json());

app.get('/api/profile', cors(corsOptions), (req, res) => {
  res.json({ name: 'Ada' });
});
app.put('/api/profile', cors(corsOptions), (req, res) => { // expect: CORS101
  res.json(req.body);
});

app.listen(process.env.PORT || 3000);
