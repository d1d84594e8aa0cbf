// The README pattern done right: an explicit allow-list with credentials.
const express = require('express');
const cors = require('cors');

const app = express();

const allowlist = ['https://app.example.com', 'https://admin.example.com'];
const corsOptions = {
  origin(origin, callback) {
    if (!origin || allowlist.indexOf(origin) !== -1) {
      callback(null, true);
    } else {
      callback(new Error('Not allowed by CORS'));
    }
  },
  credentials: true,
  allowedHeaders: ['Content-Type', 'Authorization'],
  maxAge: 600,
};

app.use(cors(corsOptions));
app.get('/api/me', (req, res) => res.json({}));
app.put('/api/me', (req, res) => res.sendStatus(204));
app.delete('/api/sessions/:id', (req, res) => res.sendStatus(204));

app.listen(3000);
