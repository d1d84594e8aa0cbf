const express = require('express');
const cors = require('cors');

const app = express();
const api = express.Router();

api.use(cors({
  origin: 'https://admin.example.com',
  methods: ['GET', 'POST'], // expect: CORS301
  allowedHeaders: ['Content-Type'],
}));
api.get('/users', (req, res) => res.json([]));
api.delete('/users/:id', (req, res) => res.sendStatus(204));

app.use('/api', api);
app.listen(3000);
