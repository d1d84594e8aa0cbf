// The allow-list object is passed to cors(): only the two origins get
// Access-Control-Allow-Origin (with Vary: Origin).
const express = require('express');
const cors = require('cors');

const app = express();

const corsOptions = {
  origin: ['https://dashboard.example.com', 'https://admin.example.com'],
  methods: ['GET', 'POST'],
  allowedHeaders: ['Content-Type'],
};

app.use(cors(corsOptions));
app.use(express.json());

app.get('/api/reports', (req, res) => res.json([]));
app.post('/api/reports', (req, res) => res.status(201).json({ id: 1 }));

app.listen(3000);
